% findbankloc (the IEEE 802.3 COM MATLAB code rev 4.50) on random post-cursor vectors: each
% line "h0 bmaxg h(1) .. h(40) | tap numbers" (taps 13 .. 40, 3 banks of 3). OUT: the file to
% write; FN: the function (@findbankloc). See README.md.
rand('seed',7); randn('seed',7);
N=150; fid=fopen(OUT,'w');
for c=1:N
  n=40; t=(1:n)';
  kind=mod(c,4);
  h=0.3*exp(-t/(2+8*rand))+0.02*randn(n,1)*rand;
  nb=randi([1 4]);
  for b=1:nb
    p=randi([13 40]); w=1+3*rand;
    h=h+(0.1*rand-0.03)*exp(-((t-p)/w).^2);
  end
  if kind==0, h=h.*sign(randn(n,1)); end
  if kind==1, h=0.01*randn(n,1); end
  h=round(h*1e6)/1e6;
  curval=round((0.5+rand)*1e4)/1e4; bmaxg=[0.05 0.03 0.1 0.02](mod(c,4)+1);
  idx=FN(h,13,40,3,curval,bmaxg,3);
  fprintf(fid,'%.4f %.2f',curval,bmaxg); fprintf(fid,' %.6f',h); fprintf(fid,' |'); fprintf(fid,' %d',idx); fprintf(fid,'\n');
end
% 50 more with exact ties: small noise and four taps (a b c a) above bmaxg h0, whose two
% windows (a b c) and (b c a) take off the same energy, summed in different orders (full
% precision, which the rounding needs to tell the orders apart).
for c=1:50
  n=40; h=0.02*(2*rand(n,1)-1);
  p=randi([13 37]); v=0.06+0.2*rand(1,3);
  h(p:p+3)=[v(1) v(2) v(3) v(1)];
  curval=1; bmaxg=0.05;
  idx=FN(h,13,40,3,curval,bmaxg,3);
  fprintf(fid,'%.4f %.2f',curval,bmaxg); fprintf(fid,' %.17g',h); fprintf(fid,' |'); fprintf(fid,' %d',idx); fprintf(fid,'\n');
end
% And one found by review where the two orders of summing do order the tied windows apart.
h=[...
   -0.013668658526861957 0.013804472520526388 -0.004263356557724175 ...
   0.014920817005013649 0.0044338227859131545 -0.016964657497128114 ...
   -0.006829105756205482 -0.011347425785286141 0.01575938020077972 ...
   0.003568932898229099 -0.018253759976810172 -0.013210887664800927 ...
   -0.005560595176444751 -0.0012896068896743086 0.003081697961212805 ...
   -0.004484747964914928 -0.005852707530748912 -0.019760476846842425 ...
   0.003166465605329797 -0.0066488223592588245 -0.019179511890190862 ...
   -0.0016236916553143063 0.019455908420284 -0.018184740355350223 ...
   -0.01416685321123508 0.006838962478533682 -0.00909332502352263 ...
   -0.009066477399026477 6.913881287970436e-08 -0.009517295254220449 ...
   0.0027584333936949805 0.0011259399606025206 0.01827842209908209 ...
   0.019687301426711466 -0.018635536755605066 0.22019854887121554 ...
   0.11776938477819882 0.1427270963062257 0.22019854887121554 ...
   0.005324072710207094]';
idx=FN(h,13,40,3,1,0.05,3);
fprintf(fid,'%.4f %.2f',1,0.05); fprintf(fid,' %.17g',h); fprintf(fid,' |'); fprintf(fid,' %d',idx); fprintf(fid,'\n');
fclose(fid);
